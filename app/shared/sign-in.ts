/**
 * A development sign-in's user name, as an HTML `pattern`: browsers compile patterns with the `v`
 * flag, where a bare "-" at the end of a class is a syntax error (the field then has no check at
 * all), so the hyphen is escaped. The server compiles the same text with the same flag.
 */
export const LOCAL_LOGIN_PATTERN = "[A-Za-z0-9\\-]{1,39}";
export const LOCAL_LOGIN_RULE = "Use 1 to 39 letters, digits or hyphens.";
