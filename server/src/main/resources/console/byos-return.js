// The end of a subscription's OAuth connection: Gatehouse's callback sends the browser back to the
// console with ?byos=<provider>&outcome=connected|denied|failed[&error=...].
//
// In the popup the console opened (return_to carries via=popup and a nonce), this page tells the
// console that opened it, which believes only the nonce it chose, and closes itself. It uses a BroadcastChannel as well as window.opener: a provider's
// Cross-Origin-Opener-Policy can sever the opener on the way, and the opener polls the status anyway.

export const BYOS_CHANNEL = 'gatehouse-byos';
export const POPUP_MARK = 'via';
/** The nonce return_to carries: an outcome is believed only when this console started that connection. */
export const NONCE_MARK = 'n';
const NONCE_KEY = 'gatehouse-byos-nonce';

/** A fresh nonce for a connection this window starts and comes back to itself (no popup). */
export function rememberNonce() {
  const nonce = crypto.randomUUID();
  sessionStorage.setItem(NONCE_KEY, nonce);
  return nonce;
}

/**
 * Handles a return from the provider, if this page load is one. Returns true when this window is
 * the popup (the console must not start in it); otherwise hands remember(text, connected) the outcome.
 */
export function handleByosReturn(remember) {
  const params = new URLSearchParams(location.search);
  const provider = params.get('byos');
  const outcome = params.get('outcome');
  if (!provider || !outcome) return false;
  const nonce = params.get(NONCE_MARK);
  const message = { type: 'gatehouse-byos', provider, outcome, error: params.get('error'), nonce };
  if (params.get(POPUP_MARK) === 'popup') {
    if ('BroadcastChannel' in window) {
      const channel = new BroadcastChannel(BYOS_CHANNEL);
      channel.postMessage(message);
      channel.close();
    }
    try {
      window.opener?.postMessage(message, location.origin);
    } catch (e) {
      // No opener left to tell: the console polls the status.
    }
    document.getElementById('loading')?.remove();
    document.getElementById('main').append(closingNote(message));
    window.close();
    return true;
  }
  history.replaceState(null, '', '/console/#/subscriptions');
  const expected = sessionStorage.getItem(NONCE_KEY);
  sessionStorage.removeItem(NONCE_KEY);
  // Another site can open this address with any outcome: only a connection started here is told.
  if (nonce && expected === nonce) remember(describeOutcome(message), outcome === 'connected');
  return false;
}

export function describeOutcome({ provider, outcome, error }) {
  if (outcome === 'connected') return `Your ${provider} subscription is connected.`;
  if (outcome === 'denied') return `Connecting ${provider} was declined at the provider; nothing was connected.`;
  return `Connecting ${provider} did not work (${error ?? 'unknown error'}); nothing was connected. Try again.`;
}

function closingNote(message) {
  const p = document.createElement('p');
  p.textContent = `${describeOutcome(message)} You can close this window.`;
  return p;
}
