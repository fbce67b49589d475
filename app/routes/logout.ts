import { redirect, type ActionFunctionArgs } from "@remix-run/node";

export async function action({ request, context }: ActionFunctionArgs) {
  const { sessions } = context.services;
  const session = await sessions.getSession(request.headers.get("Cookie"));
  return redirect("/login", { headers: { "Set-Cookie": await sessions.destroySession(session) } });
}

export async function loader() {
  return redirect("/");
}
