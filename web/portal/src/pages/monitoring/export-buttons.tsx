import { useState } from "react";
import { asApiError, download, type PortalApiError } from "../../api/client.ts";
import { ErrorText } from "../../components/status.tsx";

/** "Export CSV" and "Export JSON Lines" of a log with the filters shown (every page of it). */
export function ExportButtons(props: {
  collection: "signIns" | "directoryAudits";
  query: URLSearchParams;
  name: string;
}) {
  const [busy, setBusy] = useState("");
  const [error, setError] = useState<PortalApiError>();
  const run = async (format: "csv" | "jsonl") => {
    setBusy(format);
    setError(undefined);
    const q = new URLSearchParams(props.query);
    q.set("format", format);
    try {
      await download(
        `/api/v1/auditLogs/${props.collection}/export?${q}`,
        `${props.name}.${format}`,
      );
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy("");
  };
  return (
    <div className="actions">
      <button type="button" onClick={() => void run("csv")} disabled={busy !== ""}>
        {busy === "csv" ? "Exporting…" : "Export CSV"}
      </button>
      <button type="button" onClick={() => void run("jsonl")} disabled={busy !== ""}>
        {busy === "jsonl" ? "Exporting…" : "Export JSON Lines"}
      </button>
      <ErrorText error={error} />
    </div>
  );
}
