// Which process did something: `host:pid`. Written into claims, fires and plans, and logged, so an
// operator can tell which of many serve and worker processes planned an issue or sent a batch.
import { hostname } from 'node:os';

export function instanceName(): string {
  return `${hostname()}:${process.pid}`;
}
