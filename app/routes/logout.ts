import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { commitSignOut } from "../../server/auth/guards";

/** POST /logout: ends this session at once (its record goes, not just the cookie). */
export async function action({ request, context }: ActionFunctionArgs) {
  return commitSignOut(context.services, request, { everywhere: false });
}

export async function loader() {
  return redirect("/");
}
