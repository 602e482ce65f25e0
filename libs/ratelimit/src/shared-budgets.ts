// What background synchronisation sends to the shared store and gets back (see
// docs/adr/0005-background-rate-limit-sync.md): one round trip per sync, for every key at once.

/** One key's part of a sync: what this gateway reports for it and asks for. */
export interface BudgetClaim {
  key: string;
  limit: number;
  /** Time left of the window as this gateway sees it: the key's TTL if this sync creates it. */
  windowLeftMs: number;
  /** This gateway's first claim on the key in this window: it declares its implicit `share`. */
  first: boolean;
  /** The share of the limit the gateway took on trust before its first sync (first claim only). */
  share: number;
  /** Requests admitted that the store does not count yet; added whatever the limit. */
  owed: number;
  /** Unused tokens handed back, for other gateways to claim. */
  release: number;
  /** More tokens wanted; the store grants at most what is left of the limit. */
  ask: number;
}

/** The store's answer for one claim. */
export interface BudgetGrant {
  /**
   * Tokens now held by the gateway for this claim: the share it declared (or, when it declared
   * late in a window where an ask was refused, the part of it still free, at least `owed`) plus
   * what it got of `ask`.
   */
  granted: number;
  /** Tokens claimed by all gateways in this window (admitted or held). */
  claimed: number;
  /** Time left of the window in the store. */
  windowLeftMs: number;
  /** A gateway was refused part of an ask lately: holders of unused tokens should hand them back. */
  contended: boolean;
}

export interface SyncReply {
  /** Gateways that synchronised within the heartbeat TTL, this one included. */
  gateways: number;
  /** This gateway's place among them (0 .. gateways - 1), ordered by id: spreads a remainder. */
  rank: number;
  /** In the order of the claims. */
  grants: BudgetGrant[];
}

export interface SyncRequest {
  gatewayId: string;
  /** A gateway that has not synchronised for this long is no longer counted. */
  heartbeatTtlMs: number;
  /** For this long after a window starts, the shares of gateways yet to declare stay reserved. */
  reserveMs: number;
  claims: BudgetClaim[];
}

/** The shared side of background synchronisation (Redis); rejects with a StoreError. */
export interface SharedBudgets {
  sync(request: SyncRequest): Promise<SyncReply>;
}
