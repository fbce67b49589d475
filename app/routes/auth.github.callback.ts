import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { commitSignIn } from "../../server/auth/guards";
import { safeReturnTo } from "../../server/http/safe-redirect";
import { notFound } from "../../server/http/responses";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { services } = context;
  if (!services.authenticator) throw notFound("GitHub sign-in");
  const session = await services.sessions.getSession(request.headers.get("Cookie"));
  try {
    const user = await services.authenticator.authenticate("github", request);
    return commitSignIn(services, request, user, safeReturnTo(session.get("returnTo")));
  } catch (error) {
    if (error instanceof Response) throw error;
    // A missing or tampered state, a refused code or an unreachable GitHub: sign-in fails, nothing is kept.
    services.log.warn({ err: error }, "GitHub sign-in refused");
    return redirect("/login?error=github");
  }
}
