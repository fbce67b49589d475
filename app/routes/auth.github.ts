import type { ActionFunctionArgs } from "@remix-run/node";
import { safeReturnTo } from "../../server/http/safe-redirect";
import { readFormBody } from "../../server/http/body";
import { notFound } from "../../server/http/responses";

/** Starts the GitHub OAuth flow: remembers where to return, then redirects to GitHub with a state cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { services } = context;
  if (!services.authenticator) throw notFound("GitHub sign-in");
  const form = await readFormBody(request.clone(), services.config.api.bodyLimitBytes);
  if (!form.ok) return form.response;
  const session = await services.sessions.getSession(request.headers.get("Cookie"));
  session.set("returnTo", safeReturnTo(form.value.get("returnTo")));
  try {
    await services.authenticator.authenticate("github", request);
  } catch (thrown) {
    if (thrown instanceof Response) {
      thrown.headers.append("Set-Cookie", await services.sessions.commitSession(session));
      throw thrown;
    }
    throw thrown;
  }
  throw new Error("GitHub sign-in did not redirect");
}
