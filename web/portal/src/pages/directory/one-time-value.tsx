import { useId, useState } from "react";

/**
 * A value the server shows once (a client secret, a temporary password): shown with a Copy
 * button and a warning that it cannot be shown again, so the reader stores it now.
 */
export function OneTimeValue(props: { label: string; value: string; warning: string }) {
  const [copied, setCopied] = useState("");
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("Copying is not allowed here: select the value and copy it yourself.");
    }
  };
  return (
    <div className="one-time">
      <p className="warning">
        <strong>Copy it now.</strong> {props.warning}
      </p>
      <label className="one-time-label" htmlFor={id}>
        {props.label}
      </label>
      <div className="row">
        <input
          id={id}
          className="secret"
          type="text"
          readOnly
          value={props.value}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" className="success small">
        {copied}
      </p>
    </div>
  );
}

/**
 * A temporary password the portal generates for a reset: 20 characters from an alphabet
 * without look-alikes (0/O, 1/l), drawn with the browser's CSPRNG, so it passes the
 * server's strength check and can be read out over the phone.
 */
export function temporaryPassword(length = 20): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const out: string[] = [];
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      // Rejection sampling keeps every character equally likely.
      if (b < 256 - (256 % alphabet.length) && out.length < length)
        out.push(alphabet[b % alphabet.length] ?? "");
    }
  }
  return out.join("");
}
