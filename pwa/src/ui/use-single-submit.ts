/**
 * One submit, one action: a double tap, a double click or Enter pressed twice reaches the action once.
 * The guard is a ref set synchronously, before anything is awaited, because the second tap can arrive
 * before React has re-rendered the button as disabled. Forms also make their boxes read-only while
 * `isSubmitting`, so a keystroke just after the tap cannot save again into the draft being posted.
 */
import { useRef, useState } from 'react';

export function useSingleSubmit(): {
  isSubmitting: boolean;
  /**
   * Runs `attempt` unless one is already running or has finished the form. `attempt` resolves true when
   * the form is done (it stays locked until it unmounts: the screen moves on or starts a new draft),
   * false to let the person try again (after an error they can fix).
   */
  run: (attempt: () => Promise<boolean>) => void;
} {
  const isLocked = useRef(false);
  const [isSubmitting, setIsSubmitting] = useState(false);
  const run = (attempt: () => Promise<boolean>) => {
    if (isLocked.current) return;
    isLocked.current = true;
    setIsSubmitting(true);
    void attempt().then(
      (isDone) => {
        if (isDone) return;
        isLocked.current = false;
        setIsSubmitting(false);
      },
      () => {
        isLocked.current = false;
        setIsSubmitting(false);
      },
    );
  };
  return { isSubmitting, run };
}
