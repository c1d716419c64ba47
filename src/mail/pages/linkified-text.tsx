import type { ReactNode } from "react";

// http(s) URLs in plain text; trailing sentence punctuation is not part of the link.
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g;
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Text with its http(s) URLs as links. React escapes every text node and attribute, and only
 * http(s) URLs ever become an href, so nothing in a message can inject markup or script.
 */
export function LinkifiedText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(TRAILING, "");
    const start = match.index;
    parts.push(text.slice(last, start));
    parts.push(
      <a key={start} href={url} rel="noreferrer noopener">
        {url}
      </a>,
    );
    last = start + url.length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
