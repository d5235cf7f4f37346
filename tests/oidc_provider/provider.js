// A real OpenID Connect provider (the certified oidc-provider package) for the single sign-on
// tests, on loopback. Settings come from the environment:
//   PORT, ISSUER                  where it listens and the issuer it names itself
//   CLIENT_ID, CLIENT_SECRET      the one client (the case system)
//   REDIRECT_URIS, LOGOUT_URIS    JSON lists of the client's callback and after-sign-out addresses
//   ACCOUNTS                      JSON list of {sub, email, name, groups}
// The sign-in page asks for an email address (no password: the accounts are test people). A test
// can make the token endpoint hand out a bad ID token, signed again after one change, by
// POST /__test/tamper?mode=forged|expired|audience|issuer (mode=none puts it right).
import http from 'node:http';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const env = process.env;
const accounts = JSON.parse(env.ACCOUNTS || '[]');
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const forger = (await generateKeyPair('RS256')).privateKey;
let tamper = 'none';

const provider = new Provider(env.ISSUER, {
  clients: [{
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    redirect_uris: JSON.parse(env.REDIRECT_URIS),
    post_logout_redirect_uris: JSON.parse(env.LOGOUT_URIS || '[]'),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = accounts.find((a) => a.sub === id);
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ ...person, email_verified: true }) };
  },
});

async function resign(idToken) {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (tamper === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (tamper === 'audience') claims.aud = 'another-application';
  if (tamper === 'issuer') claims.iss = 'https://impostor.example';
  const key = tamper === 'forged' ? forger : privateKey;
  return new SignJWT(claims).setProtectedHeader(decodeProtectedHeader(idToken)).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && tamper !== 'none' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token) };
  }
});

const page = (uid, note) => `<!doctype html><html lang="en"><head><title>Test provider</title></head><body>
<h1>Test identity provider</h1>${note ? `<p role="alert">${note}</p>` : ''}
<form method="post" action="/interaction/${uid}"><label for="email">Email address</label>
<input id="email" name="email" type="email"><button type="submit">Continue</button></form></body></html>`;

function body(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
  });
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const result = { consent: { grantId: await grant.save() } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return res.end(page(uid));
  }
  const email = (await body(req)).get('email');
  const person = accounts.find((a) => a.email === email);
  if (!person) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return res.end(page(uid, 'No such person.'));
  }
  return provider.interactionFinished(req, res, { login: { accountId: person.sub } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, env.ISSUER);
    const match = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (match) return await interaction(req, res, match[1]);
    if (url.pathname === '/__test/tamper' && req.method === 'POST') {
      tamper = url.searchParams.get('mode') || 'none';
      return res.end(tamper);
    }
    return callback(req, res);
  } catch (error) {
    res.statusCode = 500;
    return res.end(String(error));
  }
}).listen(Number(env.PORT), '127.0.0.1', () => console.log('ready'));
