/** Log in with a one-time code sent by e-mail (the e-mail's link logs in too; the server handles it). */
import { useState, type FormEvent } from 'react';
import { ApiError, NetworkError, huddle, isLogoutPending } from '../data/hooks.js';

type Step =
  | { name: 'email' }
  | { name: 'confirm-other-person'; email: string; unsent: number }
  | { name: 'code'; email: string; message: string };

function explain(err: unknown): string {
  if (err instanceof NetworkError) return 'Huddle cannot be reached. Check your connection and try again.';
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Please try again.';
}

export function LoginScreen({ knownEmail }: { knownEmail?: string }) {
  const [step, setStep] = useState<Step>({ name: 'email' });
  const [email, setEmail] = useState(knownEmail ?? '');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const requestCodeFor = async (address: string) => {
    setError(null);
    setIsBusy(true);
    try {
      const message = await huddle.requestCode(address);
      setStep({ name: 'code', email: address.trim(), message });
    } catch (err) {
      setError(explain(err));
    } finally {
      setIsBusy(false);
    }
  };

  const sendCode = async (event: FormEvent) => {
    event.preventDefault();
    // Someone else's unsent changes would be deleted by logging in as another person: ask first.
    const unsent = await huddle.unsentForOtherPerson(email);
    if (unsent > 0) {
      setStep({ name: 'confirm-other-person', email: email.trim(), unsent });
      return;
    }
    await requestCodeFor(email);
  };

  const verify = async (event: FormEvent) => {
    event.preventDefault();
    if (step.name !== 'code') return;
    setError(null);
    setIsBusy(true);
    try {
      await huddle.signIn(step.email, code);
      window.location.hash = '/';
    } catch (err) {
      setError(explain(err));
      setIsBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1 tabIndex={-1}>{knownEmail ? 'Log in again to send' : 'Log in to Huddle'}</h1>
      {knownEmail ? (
        <p>
          Your session has ended. Your changes are kept on this device and will be sent once you log in again.
        </p>
      ) : (
        <p>Huddle is an anonymous conversation for staff. Nobody at the Trust can see who said what.</p>
      )}
      {isLogoutPending() && (
        <p className="notice notice--info">
          This device has been cleared. You were offline, so your session ends as soon as the device is back
          online.
        </p>
      )}
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      {step.name === 'confirm-other-person' ? (
        <div className="notice notice--caution" role="alert">
          <h2>Unsent changes from someone else</h2>
          <p>
            This device holds {step.unsent === 1 ? '1 change' : `${step.unsent} changes`} made by the last
            person who used Huddle here, not sent yet. If you log in as {step.email}, they are deleted from
            this device. If they are someone else&apos;s, ask them to log in and press &ldquo;Send now&rdquo;
            first.
          </p>
          <div className="button-row">
            <button type="button" className="button" onClick={() => setStep({ name: 'email' })}>
              Go back
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={isBusy}
              onClick={() => void requestCodeFor(step.email)}
            >
              Log in and delete them
            </button>
          </div>
        </div>
      ) : step.name === 'email' ? (
        <form onSubmit={sendCode} noValidate={false}>
          <div className="field">
            <label htmlFor="login-email">E-mail address</label>
            <p className="hint" id="login-email-hint">
              Your work e-mail address. We will send you a code.
            </p>
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              aria-describedby="login-email-hint"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <button type="submit" className="button" disabled={isBusy}>
            Send me a code
          </button>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p className="notice notice--info">{step.message}</p>
          <div className="field">
            <label htmlFor="login-code">Code</label>
            <p className="hint" id="login-code-hint">
              The code from the e-mail sent to {step.email}. Or open the link in that e-mail.
            </p>
            <input
              id="login-code"
              name="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              required
              aria-describedby="login-code-hint"
              className="input--code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </div>
          <div className="button-row">
            <button type="submit" className="button" disabled={isBusy}>
              Log in
            </button>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setStep({ name: 'email' });
                setCode('');
                setError(null);
              }}
            >
              Use a different e-mail address
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
