import type { V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Kube } from '../kube/kube';
import { statusCodeOf } from '../kube/status-code';

/** What a replica of the operator does with the Lease it read (or found missing). */
export type LeaseDecision = 'create' | 'renew' | 'take-over' | 'follow';

/**
 * Leader election over a coordination.k8s.io Lease, decided purely: a missing Lease is
 * created; one we hold is renewed; one whose holder has not renewed within its duration
 * (or has none) is taken over; else we follow. Every write carries the resourceVersion
 * read, so of two replicas deciding at once only one write succeeds.
 */
export function leaseDecision(lease: V1Lease | undefined, identity: string, nowMs: number): LeaseDecision {
  if (!lease) return 'create';
  const spec = lease.spec ?? {};
  if (spec.holderIdentity === identity) return 'renew';
  if (!spec.holderIdentity) return 'take-over';
  const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
  const duration = (spec.leaseDurationSeconds ?? 15) * 1000;
  return nowMs - renewed > duration ? 'take-over' : 'follow';
}

/**
 * A Lease's times as the API server parses them (MicroTime: exactly six fractional
 * digits); the client would send a Date with three, which the server refuses.
 */
export function microTime(time: Date | string | undefined): string | undefined {
  if (time === undefined) return undefined;
  const iso = (typeof time === 'string' ? new Date(time) : time).toISOString();
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaderElectorOptions {
  readonly kube: Kube;
  readonly name: string;
  readonly identity: string;
  readonly durationSeconds: number;
  readonly renewSeconds: number;
  readonly logger: Logger;
  /** Called once when this replica becomes the leader. */
  readonly onLead: () => void;
  /** Called once when it stops being the leader (a renewal failed for longer than the lease): it must stop acting. */
  readonly onLoss: () => void;
}

/**
 * Tries for the Lease every `renewSeconds` and keeps it while it holds it. Leadership is
 * lost when no renewal succeeded within the lease's duration: the other replica may take
 * it over from then on, so the loser must stop at once (main exits, and the pod restarts
 * as a follower).
 */
export class LeaderElector {
  private timer?: NodeJS.Timeout;
  private leading = false;
  private lastRenewMs = 0;
  private stopped = false;
  private lastDecision?: LeaseDecision;

  constructor(private readonly options: LeaderElectorOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops trying; a leader gives the Lease up so that another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.options.kube.readLease(this.options.name);
      if (lease?.spec?.holderIdentity === this.options.identity) {
        // Released: no holder; the renew time stays (as MicroTime) for whoever looks.
        const { holderIdentity: _holder, acquireTime: _acquired, ...rest } = lease.spec;
        await this.options.kube.replaceLease({ ...lease, spec: { ...rest, renewTime: microTime(lease.spec.renewTime) as unknown as Date } });
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not release the Lease; the next leader waits for it to expire');
    }
  }

  private async tick(): Promise<void> {
    const { kube, name, identity, durationSeconds, logger } = this.options;
    try {
      const lease = await kube.readLease(name);
      const now = new Date();
      const decision = leaseDecision(lease, identity, now.getTime());
      this.lastDecision = decision;
      // Times go as MicroTime strings (see microTime); the client's types say Date.
      const time = (t: Date | string | undefined) => microTime(t) as unknown as Date;
      const spec = { holderIdentity: identity, leaseDurationSeconds: durationSeconds, renewTime: time(now) };
      if (decision === 'create') {
        await kube.createLease({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { ...spec, acquireTime: time(now), leaseTransitions: 0 } });
      } else if (decision === 'take-over') {
        const transitions = (lease!.spec?.leaseTransitions ?? 0) + 1;
        await kube.replaceLease({ ...lease!, spec: { ...spec, acquireTime: time(now), leaseTransitions: transitions } });
        logger.info({ previous: lease!.spec?.holderIdentity }, 'took over the Lease');
      } else if (decision === 'renew') {
        await kube.replaceLease({ ...lease!, spec: { ...lease!.spec, ...spec, acquireTime: time(lease!.spec?.acquireTime ?? now) } });
      }
      if (decision !== 'follow') {
        this.lastRenewMs = now.getTime();
        if (!this.leading) {
          this.leading = true;
          logger.info({ lease: name, identity }, 'leading');
          this.options.onLead();
        }
      }
    } catch (error) {
      // 409: another replica wrote the Lease between our read and our write; we follow.
      if (statusCodeOf(error) !== 409) logger.warn({ err: error }, 'the Lease could not be read or written');
    }
    if (this.leading && (this.lastDecision === 'follow' || Date.now() - this.lastRenewMs > durationSeconds * 1000)) {
      this.leading = false;
      logger.error({ lease: name }, 'lost the Lease (another replica holds it, or no renewal within its duration)');
      this.options.onLoss();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.renewSeconds * 1000);
  }
}
