import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { Command, Option } from 'commander';
import { ROLES, Role } from '@civicloop/domain';
import { Directory, DirectoryUser } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';

export class NoSuchUser extends Error {}

/**
 * The directory's user of a role (in a unit, when given). Never made up: the service refuses a
 * token whose user is not in the directory, so a made-up one would only print a useless token.
 */
export function demoUser(directory: Directory, role: Role, org?: string): DirectoryUser {
  const match = directory.allUsers().find((u) => u.role === role && (org === undefined || u.unitId === org));
  if (match) return match;
  const where = org === undefined ? '' : ` in unit ${org}${directory.unit(org) ? '' : ' (no such unit)'}`;
  throw new NoSuchUser(`the directory has no user with role ${role}${where}`);
}

export function signToken(secret: string, user: DirectoryUser, expiresIn: string): string {
  return new JwtService({ secret }).sign(
    { sub: user.id, role: user.role, org: user.unitId, name: user.name },
    { algorithm: 'HS256', expiresIn: expiresIn as unknown as number },
  );
}

if (require.main === module) {
  const program = new Command('token')
    .description('print a bearer token for a user of the loaded directory (DIRECTORY_FILE), signed with the key the service uses')
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
    console.error(`token: ${(error as Error).message}`);
    process.exit(2);
  }
}
