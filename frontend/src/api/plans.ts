import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schema } from "./client";

/** The plan catalogue, public and cached for the session. */
export function usePlans() {
  return useQuery({
    queryKey: ["plans"],
    queryFn: () => unwrap<Schema<"Catalogue">>(api.GET("/billing/plans")),
    staleTime: 5 * 60_000,
  });
}
