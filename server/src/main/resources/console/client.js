// Every call the console makes: same origin, the session cookie, the CSRF token on state changes,
// and problem+json errors turned into ApiError.

/** An error answer of Gatehouse (problem+json, or the gateway's OpenAI-shaped error), or no answer at all. */
export class ApiError extends Error {
  constructor(status, body) {
    const problem = normalize(status, body);
    super(problem.detail);
    this.status = status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
  }
}

function normalize(status, body) {
  if (body && typeof body === 'object' && body.error && typeof body.error === 'object') {
    return { code: body.error.code ?? null, detail: body.error.message ?? `HTTP ${status}`, requestId: body.error.request_id ?? null };
  }
  if (body && typeof body === 'object') {
    return {
      code: body.code ?? null,
      detail: body.detail ?? body.title ?? `The request failed (HTTP ${status}).`,
      requestId: body.requestId ?? body.request_id ?? null,
    };
  }
  return { code: null, detail: `The request failed (HTTP ${status}).`, requestId: null };
}

let csrfToken = null;
let onSessionEnded = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called with the ApiError when a call answers 401: the session ended. */
export function setSessionEndedHandler(handler) {
  onSessionEnded = handler;
}

/**
 * Calls Gatehouse. Resolves with the parsed JSON body (null for 204), rejects with an ApiError.
 * A 401 also calls the session-ended handler, unless {quiet401: true}.
 */
export async function api(method, url, body, options = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, { code: 'network_error', detail: `Gatehouse could not be reached (${e.message}). Check the connection and try again.` });
  }
  const type = response.headers.get('Content-Type') ?? '';
  let data = null;
  if (response.status !== 204 && type.includes('json')) {
    data = await response.json().catch(() => null);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && !options.quiet401) {
      onSessionEnded(error);
    }
    throw error;
  }
  return data;
}

export const get = (url, options) => api('GET', url, undefined, options);
