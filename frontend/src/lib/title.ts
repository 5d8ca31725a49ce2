import { useEffect } from "react";

/** Sets the document title, so each page's tab and history entry say where it is. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title === "Docket" ? title : `${title} · Docket`;
  }, [title]);
}
