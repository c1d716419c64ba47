import { describe, expect, it } from "vitest";
import { providerTrace } from "../../src/connect/auth/outcome-response.ts";

/**
 * The provider's troubleshooting details on Connect's outcome page: what the organisation's
 * administrator looks up in their sign-in logs (with the account's email and the time).
 */
describe("the provider's troubleshooting details", () => {
  it("reads Entra's front-channel error_description lines", () => {
    expect(
      providerTrace({
        error: "access_denied",
        error_description:
          "AST90095: Admin consent is required.\r\nTrace ID: 5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab\r\nCorrelation ID: 11111111-2222-4333-8444-555555555555\r\nTimestamp: 2026-11-26 15:40:50Z",
      }),
    ).toEqual({
      requestId: "5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab",
      correlationId: "11111111-2222-4333-8444-555555555555",
      timestamp: "2026-11-26 15:40:50Z",
    });
  });

  it("prefers the JSON fields, bounds what it shows, and is empty when the provider gave none", () => {
    expect(
      providerTrace({
        trace_id: "t-1",
        correlation_id: "c-1",
        timestamp: "2026-11-26 15:40:50Z",
        error_description: "Trace ID: other",
      }),
    ).toEqual({ requestId: "t-1", correlationId: "c-1", timestamp: "2026-11-26 15:40:50Z" });
    expect(providerTrace({ trace_id: "x".repeat(500) }).requestId).toHaveLength(100);
    expect(providerTrace({ error: "access_denied", error_description: "No." })).toEqual({
      requestId: undefined,
      correlationId: undefined,
      timestamp: undefined,
    });
  });
});
