import type { MouseEvent, ReactNode } from "react";
import { navigate } from "../router.ts";

/** An in-portal link: a real `<a href>` (open in new tab works), navigated in place on click. */
export function Link(props: {
  to: string;
  children: ReactNode;
  current?: boolean;
  className?: string;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={props.to}
      onClick={onClick}
      className={props.className}
      aria-current={props.current ? "page" : undefined}
    >
      {props.children}
    </a>
  );
}
