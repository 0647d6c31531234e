import "server-only";
import { z } from "zod";
import type { Host, Instance, Release, ReleaseArtifact } from "@/generated/prisma/client";
import { decryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { createProcessDriver } from "@/lib/runtime/process-driver";
import type { DockerEndpoint, InstanceRuntime, ReleaseArtifacts, RuntimeDriver } from "@/lib/runtime/types";

/** Instance.runtimeConfig: what a driver needs besides secrets (those are encrypted columns). */
export const runtimeConfigSchema = z.object({
  port: z.number().int().min(1).max(65535),
  workDir: z.string().min(1),
  configFile: z.string().min(1),
  adminTokenEncrypted: z.string().min(1),
  assetsDir: z.string().min(1).optional(),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

const processDriver = createProcessDriver();
let dockerDriver: RuntimeDriver | undefined;

async function driverFor(kind: "process" | "docker"): Promise<RuntimeDriver> {
  if (kind === "process") return processDriver;
  // Loaded on demand: dockerode pulls in native modules the process-only paths never need.
  dockerDriver ??= (await import("@/lib/runtime/docker-driver")).createDockerDriver();
  return dockerDriver;
}

export type LoadedRuntime = { driver: RuntimeDriver; runtime: InstanceRuntime; config: RuntimeConfig; baseUrl: string };

export async function loadRuntime(instance: Instance & { host: Host | null }): Promise<LoadedRuntime> {
  const parsed = runtimeConfigSchema.safeParse(instance.runtimeConfig);
  if (!parsed.success || !instance.databaseUrlEncrypted) {
    throw new AppError("conflict", `Instance ${instance.name} has no runtime configuration; it cannot be upgraded by the console.`);
  }
  const config = parsed.data;
  const kind = instance.host?.driver ?? "process";
  const docker = kind === "docker" && instance.host?.endpointEncrypted ? (JSON.parse(decryptSecret(instance.host.endpointEncrypted)) as DockerEndpoint) : undefined;
  const runtime: InstanceRuntime = {
    instanceId: instance.id,
    port: config.port,
    databaseUrl: decryptSecret(instance.databaseUrlEncrypted),
    adminToken: decryptSecret(config.adminTokenEncrypted),
    configFile: config.configFile,
    workDir: config.workDir,
    ...(docker ? { docker } : {}),
  };
  return { driver: await driverFor(kind), runtime, config, baseUrl: instance.url };
}

export function releaseArtifacts(release: Release & { artifacts: ReleaseArtifact[] }): ReleaseArtifacts {
  const byKind = new Map(release.artifacts.map((a) => [a.kind, a]));
  const bundle = byKind.get("bundle");
  const app = byKind.get("app_image");
  const worker = byKind.get("worker_image");
  return {
    version: release.version,
    schemaVersion: release.schemaVersion ?? "",
    ...(bundle?.sha256 ? { bundle: { path: bundle.reference, sha256: bundle.sha256 } } : {}),
    ...(app?.digest ? { appImage: { reference: app.reference, digest: app.digest } } : {}),
    ...(worker?.digest ? { workerImage: { reference: worker.reference, digest: worker.digest } } : {}),
  };
}
