// Filled in with the shared PostgreSQL once the database layer lands.
export default async function setup(): Promise<void> {}
