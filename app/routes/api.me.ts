import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  return json({ id: user.id, login: user.login, name: user.name, avatarUrl: user.avatar_url });
}
