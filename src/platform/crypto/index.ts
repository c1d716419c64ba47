export { KeyRing, parseKey } from "./encryption.ts";
export { loadKeyRing } from "./key-ring-config.ts";
export {
  dummyPasswordHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordWeakness,
  verifyPassword,
} from "./passwords.ts";
export { generateSecret, hashSecret, verifySecret } from "./secrets.ts";
