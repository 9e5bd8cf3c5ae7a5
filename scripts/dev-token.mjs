#!/usr/bin/env node
// Prints a short-lived access token signed with the local-mode secret, for curl and Swagger.
//   node scripts/dev-token.mjs [--sub dev-user] [--ttl 12h] [--roles user,admin]
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev-user' },
    ttl: { type: 'string', default: '12h' },
    roles: { type: 'string', default: 'user' },
  },
});
const home = process.env.SHOSHIZAN_HOME ?? join(homedir(), '.cache', 'shoshizan');
const secret = process.env.JWT_SECRET || readFileSync(join(home, 'dev-jwt-secret'), 'utf8').trim();
const token = jwt.sign({ roles: values.roles.split(',') }, secret, {
  algorithm: 'HS256',
  subject: values.sub,
  issuer: process.env.JWT_ISSUER ?? 'shoshizan',
  audience: process.env.JWT_AUDIENCE ?? 'shoshizan',
  expiresIn: values.ttl,
});
process.stdout.write(`${token}\n`);
