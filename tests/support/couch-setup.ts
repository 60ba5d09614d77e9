/** setupFiles for the 'integration-couch' project: stop the file's CouchDB-compatible server at the end. */
import { afterAll } from 'vitest';
import { closeSharedCouch } from './test-server.js';

afterAll(async () => {
  await closeSharedCouch();
});
