import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ReadDatabase } from '../database';
import { Projection } from '../projection';
import { CheckpointStore } from './checkpoint-store';

/**
 * How long a rebuild's claim holds without being renewed. Renewed every REBUILD_CLAIM_MS / 4 from
 * the rebuilding thread's event loop, which a long index build or a large commit may hold for
 * seconds; a process that died frees the projection for another rebuild after this.
 */
export const REBUILD_CLAIM_MS = 120_000;

/** Where each projection's rebuild writes: its current generation, the one it claimed, and whose claim that is. */
export interface RebuildPlan {
  name: string;
  from: number;
  generation: number;
  owner: string;
}

/** Another rebuild of the projection is under way (the service's own, or another `projections rebuild`). */
export class RebuildBusyError extends Error {
  constructor(readonly projection: string, readonly holder: string, readonly until: number) {
    super(`projection ${projection} is being rebuilt by ${holder} (its claim holds until ${new Date(until).toISOString()} unless renewed); `
      + 'the views keep the tables they have: try again once that rebuild has ended');
  }
}

/** Names the process in the claim (an operator asking who rebuilds sees the host and pid), unique per rebuild. */
const newOwner = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * Claims a fresh generation of each projection for one rebuild: two rebuilds of one projection at
 * once (two replicas after a version change, the CLI beside the service) would otherwise write into,
 * drop and recreate the same tables, and the one that swapped in could lack rows. All or none: when
 * one projection is busy, the claims taken so far are released.
 */
export async function claimGenerations(rdb: ReadDatabase, projections: Projection[], claimMs = REBUILD_CLAIM_MS): Promise<RebuildPlan[]> {
  const checkpoints = new CheckpointStore(rdb);
  const owner = newOwner();
  const plans: RebuildPlan[] = [];
  try {
    for (const projection of projections) {
      await checkpoints.ensureProjection(projection);
      const claim = await checkpoints.claimRebuild(projection.name, owner, claimMs);
      if ('busy' in claim) throw new RebuildBusyError(projection.name, claim.busy.owner, claim.busy.until);
      plans.push({ name: projection.name, owner, ...claim });
    }
  } catch (error) {
    await releaseClaims(rdb, plans);
    throw error;
  }
  return plans;
}

/** Ends the claims of a rebuild that will not swap in; a failure to do so is logged (the claim lapses on its own). */
export async function releaseClaims(rdb: ReadDatabase, plans: RebuildPlan[]): Promise<void> {
  const checkpoints = new CheckpointStore(rdb);
  for (const plan of plans) {
    await checkpoints.releaseRebuild(plan.name, plan.owner).catch((error: Error) => {
      new Logger('Rebuild').warn(`the rebuild claim on ${plan.name} could not be released (it lapses by itself): ${error.message}`);
    });
  }
}

/**
 * Renews the claims while the rebuild runs; returns the function that stops renewing. A claim found
 * lost is only logged: the rebuild writes its own generation, which no one else touches, and its
 * swap will be refused.
 */
export function keepClaims(rdb: ReadDatabase, plans: RebuildPlan[], claimMs = REBUILD_CLAIM_MS): () => void {
  const checkpoints = new CheckpointStore(rdb);
  const lost = new Set<string>();
  let stopped = false;
  const timer = setInterval(() => {
    for (const plan of plans) {
      if (lost.has(plan.name)) continue;
      checkpoints.renewRebuild(plan.name, plan.owner, claimMs).then((held) => {
        // A renewal that answers after the swap (which ends the claim) says nothing of a loss.
        if (held || stopped) return undefined;
        return checkpoints.read(plan.name).then((state) => {
          if (stopped || state?.generation === plan.generation) return;
          lost.add(plan.name);
          new Logger('Rebuild').warn(`the rebuild claim on ${plan.name} lapsed and another rebuild took it: this one will not swap in`);
        });
      }).catch((error: Error) => new Logger('Rebuild').warn(`the rebuild claim on ${plan.name} could not be renewed: ${error.message}`));
    }
  }, Math.floor(claimMs / 4));
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
