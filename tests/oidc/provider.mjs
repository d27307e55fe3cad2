// A real OpenID Connect provider for the single sign-on tests: the certified oidc-provider package on a loopback
// port, started by tests/oidc/provider.py. Its settings come as one JSON argument:
//   port          0 for any free port; the port taken is printed as "listening PORT" once it answers
//   issuer        the issuer it names itself by, {port} replaced by the port taken
//   client        {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   accounts      {login: {email, email_verified, name}}: the login typed on its sign-in page picks one
//   clockOffsetSeconds  its clock moved by this much: -7200 issues id tokens that expired an hour ago
//   idToken       {aud, iss, nonce, otherKey}: the id token re-signed with another audience, issuer or nonce (by its own key),
//                 or by a key it does not publish (a bad signature)
// Any password is accepted (the provider's development sign-in page), and consent is taken as given.
import { createServer } from 'node:http';

import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
let handle = (req, res) => res.writeHead(503).end();
const server = createServer((req, res) => handle(req, res));
await new Promise((resolve) => { server.listen(settings.port || 0, '127.0.0.1', resolve); });
const { port } = server.address();

if (settings.clockOffsetSeconds) {
  const realNow = Date.now;
  Date.now = () => realNow() + settings.clockOffsetSeconds * 1000;
}

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}

const published = await signingKey('test-key');
const unpublished = await signingKey('test-key'); // the same key id, so a relying party cannot tell them apart

const provider = new Provider(settings.issuer.replace('{port}', port), {
  clients: [{
    ...settings.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [published.jwk] },
  cookies: { keys: ['tests-only-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
  conformIdTokenClaims: false, // the email in the id token itself, as Entra and most providers put it
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { Interaction: 86400, Session: 86400, Grant: 86400, IdToken: 3600, AccessToken: 3600 },
  async findAccount(ctx, login) {
    const account = settings.accounts[login];
    if (!account) return undefined;
    return { accountId: login, claims: async () => ({ sub: login, ...account }) };
  },
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

const tamper = settings.idToken || {};
if (tamper.aud || tamper.iss || tamper.nonce || tamper.otherKey) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
      const claims = decodeJwt(ctx.body.id_token);
      if (tamper.aud) claims.aud = tamper.aud;
      if (tamper.iss) claims.iss = tamper.iss;
      if (tamper.nonce) claims.nonce = tamper.nonce;
      const key = tamper.otherKey ? unpublished.privateKey : published.privateKey;
      ctx.body = {
        ...ctx.body,
        id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key),
      };
    }
  });
}

handle = provider.callback();
process.stdout.write(`listening ${port}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
