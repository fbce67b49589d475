import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { LOCAL_LOGIN_PATTERN, LOCAL_LOGIN_RULE } from "~/shared/sign-in";
import { commitSignIn } from "../../server/auth/guards";
import { safeReturnTo } from "../../server/http/safe-redirect";
import { findOrCreateLocalUser } from "../../server/auth/users";
import { readFormBody } from "../../server/http/body";
import { apiError, notFound } from "../../server/http/responses";

const devSignInSchema = z.object({
  login: z
    .string()
    .trim()
    .regex(new RegExp(`^(?:${LOCAL_LOGIN_PATTERN})$`, "v"), LOCAL_LOGIN_RULE),
});

/**
 * "Continue as a local user": only outside production and when no GitHub app is configured. The sign-in
 * page posts here through its own route (which re-exports this action), so a refused name re-renders
 * the form with the field's error.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { services } = context;
  if (!services.config.devSignIn) throw notFound("Development sign-in");
  const form = await readFormBody(request, services.config.api.bodyLimitBytes);
  if (!form.ok) return form.response;
  const parsed = devSignInSchema.safeParse({ login: form.value.get("login") ?? "local-dev" });
  if (!parsed.success) {
    return apiError(400, "invalid_input", "Choose a valid local user name.", z.flattenError(parsed.error).fieldErrors);
  }
  const user = await findOrCreateLocalUser(services.db, parsed.data.login);
  return commitSignIn(services, request, user, safeReturnTo(form.value.get("returnTo")));
}

export async function loader() {
  throw notFound("This page");
}
