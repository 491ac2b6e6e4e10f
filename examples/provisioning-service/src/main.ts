/**
 * `npm run example`: the provisioning service on 127.0.0.1, with the demo application seeded.
 * Environment: PORT (default 0: any free port), DATABASE_PATH (default ":memory:").
 */
import { DEMO_APPLICATION, startService } from "./service.js";

function portFromEnvironment(value: string | undefined): number {
  if (value === undefined || value === "") return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`PORT must be an integer from 0 to 65535, not ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

const databasePath = process.env.DATABASE_PATH ?? ":memory:";
const service = await startService({ port: portFromEnvironment(process.env.PORT), databasePath, seedDemo: true });
const { id, secret, allowedScopes } = DEMO_APPLICATION;

console.log(`provisioning service listening on ${service.url} (database: ${databasePath})
demo application: client_id=${id} client_secret=${secret} ceiling="${allowedScopes}"

try it (examples/provisioning-service/README.md has the whole walk-through):
  base=${service.url}
  # consent: the code comes back in the Location header
  curl -s -o /dev/null -w '%{redirect_url}\\n' "$base/authorize?response_type=code&client_id=${id}&scope=reports:read%20reports:write&state=xyz"
  # outside the ceiling: error=invalid_scope, and no code is stored
  curl -s -o /dev/null -w '%{redirect_url}\\n' "$base/authorize?response_type=code&client_id=${id}&scope=reports:read%20admin"
  # direct mint: exchange the code (paste it from the first answer)
  curl -s -u ${id}:${secret} -d grant_type=authorization_code -d code=PASTE_THE_CODE "$base/token"

Ctrl-C stops it.`);

function stop(): void {
  void service.close().then(() => process.exit(0));
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
