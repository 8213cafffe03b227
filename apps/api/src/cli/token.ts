import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { Command, Option } from 'commander';
import { ROLES, Role } from '@civicloop/domain';
import { Directory, DirectoryUser } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';

/** Picks the demo user of a role (in a unit, when given); any valid unit gets a demo user made for it. */
export function demoUser(directory: Directory, role: Role, org?: string): DirectoryUser {
  if (org !== undefined && !directory.unit(org)) throw new Error(`no unit ${org} in the directory`);
  const match = directory.allUsers().find((u) => u.role === role && (org === undefined || u.unitId === org));
  if (match) return match;
  if (org === undefined) throw new Error(`the directory has no demo user with role ${role}`);
  return { id: `demo-${role}-${org}`, name: `demo ${role} of ${directory.unit(org)!.name}`, role, unitId: org };
}

export function signToken(secret: string, user: DirectoryUser, expiresIn: string): string {
  return new JwtService({ secret }).sign(
    { sub: user.id, role: user.role, org: user.unitId, name: user.name },
    { algorithm: 'HS256', expiresIn: expiresIn as unknown as number },
  );
}

if (require.main === module) {
  const program = new Command('token')
    .description('print a bearer token for a demo user')
    .addOption(new Option('--role <role>', 'role of the user').choices(ROLES as unknown as string[]).makeOptionMandatory())
    .option('--org <unitId>', 'org unit the user works for')
    .option('--ttl <duration>', 'lifetime, e.g. 1h, 12h, 7d')
    .parse();
  const options = program.opts<{ role: Role; org?: string; ttl?: string }>();
  try {
    const config = loadConfig();
    const user = demoUser(Directory.fromFile(config.DIRECTORY_FILE), options.role, options.org);
    process.stdout.write(`${signToken(config.jwtSecret(), user, options.ttl ?? config.JWT_TTL)}\n`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
