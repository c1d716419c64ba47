import { describe, expect, it } from "vitest";
import {
  isDomainName,
  isUuid,
  normaliseDomain,
  normaliseSlug,
  parseUserPrincipalName,
} from "./names.ts";

describe("directory names", () => {
  it("recognises uuids only in their canonical shape", () => {
    expect(isUuid("8d3f0c2e-1b2a-4c5d-9e8f-0a1b2c3d4e5f")).toBe(true);
    expect(isUuid("8D3F0C2E-1B2A-4C5D-9E8F-0A1B2C3D4E5F")).toBe(true);
    for (const v of [
      "",
      "contoso",
      "8d3f0c2e1b2a4c5d9e8f0a1b2c3d4e5f",
      "8d3f0c2e-1b2a-4c5d-9e8f-0a1b2c3d4e5",
    ])
      expect(isUuid(v), v).toBe(false);
  });

  it("accepts DNS names of two labels or more, including A-labels, and nothing else", () => {
    for (const v of ["contoso.com", "mail.contoso.co.uk", "xn--bcher-kva.example", "a1-b2.io"])
      expect(isDomainName(v), v).toBe(true);
    for (const v of [
      "contoso",
      "10.0.0.1",
      "-x.com",
      "x-.com",
      "a_b.com",
      "a..com",
      ".com",
      "b\u00fccher.example",
    ])
      expect(isDomainName(v), v).toBe(false);
    expect(normaliseDomain(" Mail.Contoso.COM. ")).toBe("mail.contoso.com");
  });

  it("stores user principal names lower-cased and rejects what is not email-shaped", () => {
    expect(parseUserPrincipalName(" Ada.Lovelace+test@Contoso.COM ")).toBe(
      "ada.lovelace+test@contoso.com",
    );
    expect(parseUserPrincipalName("o'brien@contoso.com")).toBe("o'brien@contoso.com");
    for (const v of [
      "ada",
      "ada@",
      "@contoso.com",
      ".ada@contoso.com",
      "ada.@contoso.com",
      "a b@contoso.com",
      "ada@contoso",
      "ada@1.2.3.4",
      `${"a".repeat(65)}@contoso.com`,
    ])
      expect(parseUserPrincipalName(v), v).toBeUndefined();
  });

  it("refuses slugs that are malformed, reserved, or could be read as a tenant id", () => {
    expect(normaliseSlug("contoso-2")).toBe("contoso-2");
    for (const v of [
      "c",
      "Contoso",
      "-contoso",
      "con_toso",
      "common",
      "organizations",
      "consumers",
      "8d3f0c2e-1b2a-4c5d-9e8f-0a1b2c3d4e5f",
    ])
      expect(() => normaliseSlug(v), v).toThrow(/tenant slug/);
  });
});
