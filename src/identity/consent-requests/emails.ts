import { type EmailBlock, type RenderedEmail, renderEmail } from "../../platform/mail/index.ts";
import type { ConsentRequestApp, ResourceScopes } from "./types.ts";

/**
 * The workflow's emails, rendered with renderEmail: every app name, publisher, justification
 * and reason is typed by someone outside the administrator's control and is escaped there.
 */

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function permissionRows(scopes: readonly ResourceScopes[]): Array<[string, string]> {
  return scopes.map((s) => [`Permissions (${s.resourceDisplayName})`, s.scopes.join(", ")]);
}

function appRows(app: ConsentRequestApp): Array<[string, string]> {
  return [
    ["Application", app.displayName],
    ["Application (client) ID", app.appId],
    [
      "Publisher",
      `${app.publisherName ?? "Unknown publisher"} (${app.publisherVerified ? "verified" : "not verified"})`,
    ],
  ];
}

const REVIEWER_FOOTER =
  "You get this email because you are a reviewer of admin consent requests in your organization.";
const REQUESTER_FOOTER =
  "You get this email because you asked an administrator to approve this app.";

export interface ReviewerEmailInput {
  kind: "created" | "reminder" | "expired";
  app: ConsentRequestApp;
  scopes: readonly ResourceScopes[];
  requesterCount: number;
  /** The newest requester, for "created". */
  requester?: { displayName: string; userPrincipalName: string; justification: string };
  expiresAt: Date;
  reviewUrl: string;
}

/** To a reviewer: a new request, the midpoint reminder, or the request expired undecided. */
export function reviewerEmail(input: ReviewerEmailInput): RenderedEmail {
  const name = input.app.displayName;
  const details: EmailBlock = {
    type: "details",
    rows: [
      ...appRows(input.app),
      ...permissionRows(input.scopes),
      ["Requesters", String(input.requesterCount)],
      [input.kind === "expired" ? "Expired" : "Expires", when(input.expiresAt)],
    ],
  };
  const button: EmailBlock = { type: "button", label: "Review request", url: input.reviewUrl };
  if (input.kind === "created") {
    const r = input.requester;
    return renderEmail({
      subject: `Review the request to use ${name}`,
      heading: "An app is waiting for your approval",
      blocks: [
        {
          type: "paragraph",
          content: [
            { strong: r?.displayName ?? "A user" },
            " asked for admin consent to ",
            { strong: name },
            ".",
          ],
        },
        ...(r
          ? [{ type: "quote", text: r.justification, attribution: r.userPrincipalName } as const]
          : []),
        details,
        button,
      ],
      footer: REVIEWER_FOOTER,
    });
  }
  if (input.kind === "reminder")
    return renderEmail({
      subject: `Reminder: ${name} is waiting for your review`,
      heading: "A consent request is waiting for a decision",
      blocks: [
        {
          type: "paragraph",
          content: [
            "The request to use ",
            { strong: name },
            ` has had no decision for half its lifetime. It expires on ${when(input.expiresAt)}.`,
          ],
        },
        details,
        button,
      ],
      footer: REVIEWER_FOOTER,
    });
  return renderEmail({
    subject: `The request to use ${name} expired`,
    heading: "A consent request expired without a decision",
    blocks: [
      {
        type: "paragraph",
        content: [
          "Nobody decided on the request to use ",
          { strong: name },
          " in time. The requesters were told they can ask again.",
        ],
      },
      details,
      { type: "button", label: "See the request", url: input.reviewUrl },
    ],
    footer: REVIEWER_FOOTER,
  });
}

export interface RequesterEmailInput {
  kind: "approved" | "denied" | "blocked" | "expired";
  app: ConsentRequestApp;
  /** The reviewer's reason (denied, blocked). */
  reason?: string | null;
  /** Approved: whether the approval covers this requester. */
  coversYou?: boolean;
  approvedUntil?: Date | null;
  statusUrl: string;
  tryAgainUrl: string;
}

/** To a requester: the outcome of their request. */
export function requesterEmail(input: RequesterEmailInput): RenderedEmail {
  const name = input.app.displayName;
  const status: EmailBlock = { type: "button", label: "See your request", url: input.statusUrl };
  const reason: EmailBlock[] = input.reason
    ? [{ type: "quote", text: input.reason, attribution: "Reviewer's reason" }]
    : [];
  switch (input.kind) {
    case "approved":
      return renderEmail({
        subject: `Your request to use ${name} was approved`,
        heading: input.coversYou ? "You can use the app now" : "The app was approved for others",
        blocks: input.coversYou
          ? [
              {
                type: "paragraph",
                content: [
                  "An administrator approved ",
                  { strong: name },
                  ". Sign in to it again to continue.",
                  ...(input.approvedUntil
                    ? [` The approval lasts until ${when(input.approvedUntil)}.`]
                    : []),
                ],
              },
              { type: "button", label: "Try again", url: input.tryAgainUrl },
            ]
          : [
              {
                type: "paragraph",
                content: [
                  "An administrator approved ",
                  { strong: name },
                  " for selected users or groups, which do not include you. You can ask again.",
                ],
              },
              status,
            ],
        footer: REQUESTER_FOOTER,
      });
    case "denied":
      return renderEmail({
        subject: `Your request to use ${name} was denied`,
        heading: "Your request was denied",
        blocks: [
          {
            type: "paragraph",
            content: ["An administrator denied your request to use ", { strong: name }, "."],
          },
          ...reason,
          { type: "paragraph", content: "You can ask again from the app's sign-in." },
          status,
        ],
        footer: REQUESTER_FOOTER,
      });
    case "blocked":
      return renderEmail({
        subject: `${name} was blocked in your organization`,
        heading: "The app was blocked",
        blocks: [
          {
            type: "paragraph",
            content: [
              "An administrator blocked ",
              { strong: name },
              ". Nobody in your organization can use it, and new requests are refused.",
            ],
          },
          ...reason,
          status,
        ],
        footer: REQUESTER_FOOTER,
      });
    case "expired":
      return renderEmail({
        subject: `Your request to use ${name} expired`,
        heading: "Your request expired",
        blocks: [
          {
            type: "paragraph",
            content: [
              "No administrator decided on your request to use ",
              { strong: name },
              " in time. You can ask again from the app's sign-in.",
            ],
          },
          status,
        ],
        footer: REQUESTER_FOOTER,
      });
  }
}
