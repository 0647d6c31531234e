import "server-only";
import { getDb, type Tx } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { DriverError, type Fence } from "@/lib/runtime/types";

// Fencing (docs/architecture.md, "Fencing"). A run is executed by whoever holds its lease. A worker
// whose lease lapsed (SIGSTOP, a long GC pause, a partition) may wake up in the middle of a step;
// by then another execution owns the run. Everything that execution's step would still do is
// refused: database writes (fenced transactions), log lines, and the drivers' side effects, which
// check the lease before acting and compare the fencing token stamped on what they touch.

export class LeaseLost extends Error {
  constructor() {
    super("The run's lease was lost; another execution continues it.");
    this.name = "LeaseLost";
  }
}

export type Lease = { runId: string; owner: string; epoch: bigint };

export type LeaseRow = { lease_owner: string | null; cancel_requested_at: Date | null };

/** Takes the run's lease if it is free or stale; the new fencing token, or null. */
export async function claimLease(runId: string, owner: string): Promise<Lease | null> {
  const rows = await getDb().$queryRaw<{ lease_epoch: bigint }[]>`
    UPDATE upgrade_runs SET lease_owner = ${owner}, lease_expires_at = now() + make_interval(secs => ${getEnv().RUN_LEASE_SECONDS}), heartbeat_at = now(),
      lease_epoch = nextval(pg_get_serial_sequence('upgrade_runs', 'lease_epoch'))
    WHERE id = ${runId} AND status = 'running' AND (lease_owner IS NULL OR lease_expires_at < now())
    RETURNING lease_epoch`;
  const epoch = rows[0]?.lease_epoch;
  return epoch === undefined ? null : { runId, owner, epoch: BigInt(epoch) };
}

export async function releaseLease(lease: Lease): Promise<void> {
  await getDb().$executeRaw`UPDATE upgrade_runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ${lease.runId} AND lease_owner = ${lease.owner}`;
}

/**
 * A transaction that commits only while `lease` still owns the run. The run's row is locked for
 * the transaction (FOR UPDATE), so a takeover cannot commit in between. `fn` sees the locked row.
 */
export async function fenced<T>(lease: Lease, fn: (tx: Tx, row: LeaseRow) => Promise<T>): Promise<T> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<LeaseRow[]>`SELECT lease_owner, cancel_requested_at FROM upgrade_runs WHERE id = ${lease.runId} FOR UPDATE`;
    const row = rows[0];
    if (!row || row.lease_owner !== lease.owner) throw new LeaseLost();
    return fn(tx, row);
  });
}

/** Like fenced, with a shared lock: for log lines, which may interleave but not outlive the lease. */
export async function fencedShared(lease: Lease, fn: (tx: Tx) => Promise<void>): Promise<boolean> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ ok: boolean }[]>`
      SELECT true AS ok FROM upgrade_runs WHERE id = ${lease.runId} AND lease_owner = ${lease.owner} AND lease_expires_at > now() FOR SHARE`;
    if (!rows[0]) return false;
    await fn(tx);
    return true;
  });
}

/** Whether the lease is still held and unexpired, read now (not from a cached heartbeat). */
export async function leaseHeld(lease: Lease): Promise<boolean> {
  const rows = await getDb().$queryRaw<{ ok: boolean }[]>`
    SELECT true AS ok FROM upgrade_runs WHERE id = ${lease.runId} AND lease_owner = ${lease.owner} AND lease_expires_at > now()`;
  return !!rows[0];
}

/** The fence a driver checks before each side effect of this execution. */
export function driverFence(lease: Lease, signal: AbortSignal): Fence {
  return {
    epoch: lease.epoch,
    async check(what: string) {
      if (signal.aborted || !(await leaseHeld(lease))) {
        throw new DriverError("lease_lost", `Refused to ${what}: this execution's lease has lapsed; another execution owns the run.`);
      }
    },
  };
}
