import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { commitSignOut } from "../../server/auth/guards";

/** POST /logout/everywhere: ends every session of the signed-in user, on every device. */
export async function action({ request, context }: ActionFunctionArgs) {
  return commitSignOut(context.services, request, { everywhere: true });
}

export async function loader() {
  return redirect("/");
}
