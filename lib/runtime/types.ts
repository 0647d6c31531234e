// One interface, two real drivers (process, docker). The engine drives every runbook step that
// touches an instance through it. Every method is idempotent: a resumed run may call it again.

export type DriverKind = "process" | "docker";

export type LogLevel = "info" | "warn" | "error";
export type StepLog = (level: LogLevel, message: string) => void;

/** How to reach a Docker Engine API (a Podman service speaks the same API). */
export type DockerEndpoint =
  | { type: "socket"; socketPath: string }
  | { type: "tcp"; host: string; port: number; ca?: string; cert?: string; key?: string };

/** What a driver needs to know about one instance. Secrets here are already decrypted. */
export type InstanceRuntime = {
  instanceId: string;
  /** The app listens on 127.0.0.1:port (the docker driver uses the host network). */
  port: number;
  /** The instance's own PostgreSQL database. */
  databaseUrl: string;
  /** Bearer token of the platform's /admin endpoints. */
  adminToken: string;
  /** The instance's active config file (JSON, see docs/platform-contract.md) on the console host. */
  configFile: string;
  /** A folder of the instance's own on the console host: pid files and logs (process driver). */
  workDir: string;
  /** Only for the docker driver. */
  docker?: DockerEndpoint;
  /**
   * Set when a run's execution drives the instance: the driver checks it before each side effect
   * and stamps its epoch on the processes or containers it starts. Absent for work outside a run
   * (provisioning, the console's start-up), which no lease fences.
   */
  fence?: Fence;
};

/** A lease-holding execution's fencing token, and a check that it still holds the lease. */
export type Fence = {
  readonly epoch: bigint;
  /** Throws DriverError("lease_lost") when the execution no longer holds the run's lease. */
  check(what: string): Promise<void>;
};

/** Whether something stamped with `stamped` belongs to an execution newer than `fence`'s. */
export function newerThan(stamped: string | bigint | null | undefined, fence: Fence | undefined): boolean {
  if (!fence || stamped === null || stamped === undefined || stamped === "") return false;
  try {
    return BigInt(stamped) > fence.epoch;
  } catch {
    return false;
  }
}

/** A release as a driver sees it: where its artifacts are and what they must hash to. */
export type ReleaseArtifacts = {
  version: string;
  schemaVersion: string;
  /** process driver: a bundle tarball and its sha256 (hex). */
  bundle?: { path: string; sha256: string };
  /** docker driver: app and worker images, by reference, and the digest the manifest promises. */
  appImage?: { reference: string; digest: string };
  workerImage?: { reference: string; digest: string };
};

export type MigrateAction = { direction: "up" } | { direction: "down"; to: string };

export type ComponentState = { running: boolean; version: string | null; detail?: string };

export type RuntimeStatus = { app: ComponentState; worker: ComponentState };

export type RuntimeDriver = {
  readonly kind: DriverKind;
  /** Fetches the release's artifacts and verifies their checksums or digests. */
  pull(rt: InstanceRuntime, release: ReleaseArtifacts, log: StepLog): Promise<{ verified: string }>;
  /** Runs the release's migrations to completion; throws with the tool's output on failure. */
  migrate(rt: InstanceRuntime, release: ReleaseArtifacts, action: MigrateAction, log: StepLog): Promise<void>;
  /** Stops what runs for the instance and starts the release's app and worker. */
  deploy(rt: InstanceRuntime, release: ReleaseArtifacts, log: StepLog): Promise<void>;
  /** Stops the instance's app and worker. */
  stop(rt: InstanceRuntime, log: StepLog): Promise<void>;
  status(rt: InstanceRuntime): Promise<RuntimeStatus>;
  /** The last lines of a component's log, for step logs and troubleshooting. */
  logs(rt: InstanceRuntime, component: "app" | "worker", lines: number): Promise<string>;
};

/** A driver failure the engine maps to a runbook troubleshooting hint. */
export class DriverError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "DriverError";
    this.code = code;
  }
}
