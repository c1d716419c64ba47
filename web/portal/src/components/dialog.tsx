import { type FormEvent, type ReactNode, useEffect, useId, useRef } from "react";

/**
 * A modal confirmation dialog on the native `<dialog>`: showModal() traps focus inside and makes
 * the page inert, Escape cancels, and focus goes back to the button that opened it on close.
 * The first field (or the first button) gets focus on open.
 */
export function Dialog(props: {
  title: string;
  onClose(): void;
  onSubmit(): void;
  submitLabel: string;
  submitting: boolean;
  danger?: boolean;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    opener.current = document.activeElement;
    const dialog = ref.current;
    dialog?.showModal();
    const first = dialog?.querySelector<HTMLElement>("input, textarea, select, button");
    first?.focus();
    return () => {
      dialog?.close();
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <form onSubmit={submit}>
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
        <div className="actions">
          <button
            type="submit"
            className={props.danger ? "danger" : "primary"}
            disabled={props.submitting}
          >
            {props.submitting ? "Working…" : props.submitLabel}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
