// Kysely's FileMigrationProvider loads migrations with a native import(); let Node load .ts files, as tsx does for the app.
import { register } from "tsx/esm/api";

register();
