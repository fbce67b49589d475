import { createContext, useContext } from "react";

/**
 * The page's Content-Security-Policy nonce, provided by entry.server while rendering. In the browser it
 * is absent (browsers hide nonces from the DOM), and nothing rendered there needs one.
 */
export const NonceContext = createContext<string | undefined>(undefined);

export const useNonce = () => useContext(NonceContext);
