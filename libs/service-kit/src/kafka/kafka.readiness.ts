import type { Admin } from 'kafkajs';
import type { ReadinessCheck } from '../health/readiness';

/** Ready when the cluster answers a metadata request. */
export class KafkaReadiness implements ReadinessCheck {
  readonly name = 'kafka';
  constructor(private readonly admin: Admin) {}

  async check(): Promise<void> {
    const cluster = await this.admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('the cluster reported no brokers');
  }
}
