/**
 * The studio page: `#/` starts runs and lists them, `#/runs/<id>` shows one run. With API_TOKEN set
 * on the server, nothing is read or started until the token is given (kept for this tab only).
 */
import { auth, call, setToken } from './api';
import { byId, fill, h } from './dom';
import { runPage } from './run';
import { runsList } from './runs';
import { startForm } from './start';

let stopView = () => {};

function route(): void {
  stopView();
  stopView = () => {};
  const view = byId('view');
  if (!auth.ready) {
    fill(view, h('p', { class: 'muted', id: 'locked' }, 'Enter the API token above to start runs and see them.'));
    // The form is still shown, so a person sees what they will be able to do.
    view.append(startForm(() => {}));
    return;
  }
  const match = /^#\/runs\/(.+)$/.exec(location.hash);
  if (match) {
    const page = runPage(decodeURIComponent(match[1]!));
    fill(view, page.el);
    stopView = page.stop;
    return;
  }
  const list = runsList();
  fill(
    view,
    h(
      'div',
      { class: 'columns home' },
      startForm((id) => (location.hash = `#/runs/${encodeURIComponent(id)}`)),
      list.el,
    ),
  );
  stopView = list.stop;
}

function showTokenForm(message = ''): void {
  byId('token').hidden = false;
  byId('token-message').textContent = message;
  byId('token-input').focus();
}

async function boot(): Promise<void> {
  const health = await call<{ status: string; auth?: { tokenRequired: boolean } }>('/api/health');
  auth.required = Boolean(health.body.auth?.tokenRequired);
  fill(
    byId('health'),
    health.body.status === 'ok' ? 'Temporal: reachable' : 'Temporal: not reachable — runs cannot start or be read',
  );
  byId('health').classList.toggle('bad', health.body.status !== 'ok');

  auth.onNeeded = () => showTokenForm(auth.token ? 'That token was refused: enter the right one.' : '');
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const candidate = byId<HTMLInputElement>('token-input').value.trim();
    byId('token-message').textContent = 'Checking…';
    void call('/api/projects?limit=1', {}, candidate).then((answer) => {
      if (!answer.ok) {
        byId('token-message').textContent =
          answer.status === 401 ? 'That token was refused: check API_TOKEN.' : `The API answered ${answer.status}.`;
        return;
      }
      setToken(candidate);
      byId('token').hidden = true;
      route();
    });
  });
  if (auth.required && !auth.token) showTokenForm();
  window.addEventListener('hashchange', route);
  route();
}

void boot();
