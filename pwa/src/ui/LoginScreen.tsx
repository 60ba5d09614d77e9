/**
 * Log in with a one-time code sent by e-mail (the e-mail's link logs in too; the server
 * handles it). Someone who already has a code (the invitation carries one) goes straight
 * to the code box. Asking for another code never cancels one already sent (each works until
 * it expires or one of them is used), and the page says so. The code step survives a reload.
 */
import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { ApiError, NetworkError, huddle, isLogoutPending, type LoginCodeSource } from '../data/hooks.js';

type Step =
  | { name: 'email' }
  | { name: 'confirm-other-person'; email: string; unsent: number; then: LoginCodeSource }
  | { name: 'code'; email: string; codeSource: LoginCodeSource; message?: string };

const ERROR_ID = 'login-error';

interface LoginError {
  message: string;
  /** The server refused what was typed (not a network or server failure): the field is marked invalid. */
  isAboutInput: boolean;
}

function explain(err: unknown): LoginError {
  if (err instanceof NetworkError)
    return { message: 'Huddle cannot be reached. Check your connection and try again.', isAboutInput: false };
  if (err instanceof ApiError) return { message: err.message, isAboutInput: err.status === 400 };
  return { message: 'Something went wrong. Please try again.', isAboutInput: false };
}

function codeStepIntro(step: Extract<Step, { name: 'code' }>): string {
  if (step.codeSource === 'already-had') {
    return 'Enter the code from your invitation or login e-mail. A code works once, for a limited time.';
  }
  return (
    step.message ??
    'If this address is invited to Huddle, a code is on its way. It can take a minute or two. ' +
      'Any code or link already sent to you keeps working until it expires.'
  );
}

export function LoginScreen({ knownEmail }: { knownEmail?: string }) {
  const [saved] = useState(() => huddle.savedLoginStep());
  const [step, setStep] = useState<Step>(() => (saved ? { name: 'code', ...saved } : { name: 'email' }));
  const [email, setEmail] = useState(saved?.email ?? knownEmail ?? '');
  const [code, setCode] = useState('');
  const [error, setError] = useState<LoginError | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const emailInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  // Set when the person moves between steps; not on first render, where the app focuses the heading.
  const focusNext = useRef<'email' | 'code' | null>(null);
  /** The address for which the person agreed that logging in deletes someone else's unsent changes. */
  const discardAgreedFor = useRef<string | null>(null);

  useEffect(() => {
    const target = focusNext.current === 'code' ? codeInput.current : emailInput.current;
    if (focusNext.current && target) {
      target.focus();
      focusNext.current = null;
    }
  }, [step]);

  const toCodeStep = (address: string, codeSource: LoginCodeSource, message?: string) => {
    const kept = { email: address.trim(), codeSource };
    huddle.rememberLoginStep(kept);
    focusNext.current = 'code';
    setStep({ name: 'code', ...kept, message });
  };

  const requestCodeFor = async (address: string) => {
    setError(null);
    setIsBusy(true);
    try {
      const message = await huddle.requestCode(address);
      setCode('');
      toCodeStep(address, 'requested', message);
    } catch (err) {
      setError(explain(err));
    } finally {
      setIsBusy(false);
    }
  };

  /** Someone else's unsent changes would be deleted by logging in as another person: ask first. */
  const continueAs = async (address: string, then: LoginCodeSource) => {
    setError(null);
    const unsent = await huddle.unsentForOtherPerson(address);
    if (unsent > 0) {
      setStep({ name: 'confirm-other-person', email: address.trim(), unsent, then });
      return;
    }
    if (then === 'requested') await requestCodeFor(address);
    else toCodeStep(address, 'already-had');
  };

  const sendCode = async (event: FormEvent) => {
    event.preventDefault();
    await continueAs(email, 'requested');
  };

  const alreadyHaveCode = async (event: MouseEvent<HTMLButtonElement>) => {
    // Not a submit button (Enter in the field must keep meaning "Send me a code"), so check the field here.
    if (event.currentTarget.form?.reportValidity() === false) return;
    await continueAs(email, 'already-had');
  };

  const verify = async (event: FormEvent) => {
    event.preventDefault();
    if (step.name !== 'code') return;
    setError(null);
    setIsBusy(true);
    try {
      await huddle.signIn(step.email, code, discardAgreedFor.current === step.email.toLowerCase());
      window.location.hash = '/';
    } catch (err) {
      setError(explain(err));
      setIsBusy(false);
    }
  };

  const changeAddress = () => {
    huddle.forgetLoginStep();
    setCode('');
    setError(null);
    focusNext.current = 'email';
    setStep({ name: 'email' });
  };

  const errorIdIfAny = error ? ` ${ERROR_ID}` : '';

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
        <p className="error-message" id={ERROR_ID} role="alert">
          {error.message}
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
              onClick={() => {
                // Agreed here, for this address: signing in may delete the other person's unsent changes.
                discardAgreedFor.current = step.email.toLowerCase();
                if (step.then === 'requested') void requestCodeFor(step.email);
                else toCodeStep(step.email, 'already-had');
              }}
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
              Your work e-mail address. We will send you a code. Already have one, in your invitation? Choose
              &ldquo;I already have a code&rdquo;.
            </p>
            <input
              ref={emailInput}
              id="login-email"
              name="email"
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              aria-describedby={`login-email-hint${errorIdIfAny}`}
              aria-invalid={error?.isAboutInput ? true : undefined}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="button-row">
            <button type="submit" className="button" disabled={isBusy}>
              Send me a code
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={isBusy}
              onClick={(event) => void alreadyHaveCode(event)}
            >
              I already have a code
            </button>
          </div>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p className="notice notice--info">{codeStepIntro(step)}</p>
          <div className="field">
            <label htmlFor="login-code">Code</label>
            <p className="hint" id="login-code-hint">
              {step.codeSource === 'already-had'
                ? // Invitations last a week: one sent before codes grew to 8 digits still has 6, and works.
                  `The code from the e-mail Huddle sent to ${step.email}: 8 digits (an older invitation may have 6, which work too).`
                : `The 8-digit code from any recent e-mail sent to ${step.email}: asking again never cancels a code ` +
                  `already sent (a few are sent per half hour, and then no more for a while). Or open the link in the e-mail.`}
            </p>
            <input
              ref={codeInput}
              id="login-code"
              name="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              // Room for spaces a person or a paste adds (the server drops them): a paste is cut at maxLength.
              maxLength={16}
              required
              aria-describedby={`login-code-hint${errorIdIfAny}`}
              aria-invalid={error?.isAboutInput ? true : undefined}
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
              disabled={isBusy}
              onClick={() => void requestCodeFor(step.email)}
            >
              Send me a new code
            </button>
          </div>
          <p>
            <button type="button" className="button button--secondary" onClick={changeAddress}>
              Use a different e-mail address
            </button>
          </p>
        </form>
      )}
    </div>
  );
}
