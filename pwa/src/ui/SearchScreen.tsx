/** Search everything this device holds (ideas and comments), offline too; results open the idea. */
import { useDeferredValue, useId, useState, type FormEvent } from 'react';
import { useDeviceSearch } from '../data/participant-hooks.js';
import { plural } from './format.js';
import { href, navigate } from './use-hash-route.js';

export function SearchForm({
  initialQuery,
  onChange,
}: {
  initialQuery: string;
  onChange?: (q: string) => void;
}) {
  const [query, setQuery] = useState(initialQuery);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href.search(query.trim()));
  };
  return (
    <form role="search" className="search-form" onSubmit={submit}>
      <label htmlFor={id}>Search ideas and comments</label>
      <div className="search-form__row">
        <input
          id={id}
          type="search"
          name="q"
          value={query}
          autoComplete="off"
          onChange={(e) => {
            setQuery(e.target.value);
            onChange?.(e.target.value);
          }}
        />
        <button type="submit" className="button">
          Search
        </button>
      </div>
    </form>
  );
}

export function SearchScreen({ query: initialQuery }: { query: string }) {
  const [query, setQuery] = useState(initialQuery);
  const deferred = useDeferredValue(query);
  const hits = useDeviceSearch(deferred);
  return (
    <>
      <p className="breadcrumb">
        <a href={href.streams()}>All topics</a>
      </p>
      <h1 tabIndex={-1}>Search</h1>
      <p className="hint">Searches everything saved on this device, so it works without signal too.</p>
      <SearchForm key={initialQuery} initialQuery={initialQuery} onChange={setQuery} />
      <div aria-live="polite">
        {!deferred.trim() ? null : hits === undefined ? (
          <p className="muted">Searching…</p>
        ) : hits.length === 0 ? (
          <p>No ideas or comments match “{deferred.trim()}”.</p>
        ) : (
          <>
            <h2>{plural(hits.length, 'result')}</h2>
            <ol className="card-list" aria-label="Search results">
              {hits.map((hit) => (
                <li key={hit.key} className="card" data-testid="search-result">
                  <p className="card__kind">{hit.kind === 'idea' ? 'Idea' : 'Comment on'}</p>
                  <h3 className="card__title">
                    <a href={href.idea(hit.ideaId)}>
                      <bdi>{hit.title}</bdi>
                    </a>
                  </h3>
                  {hit.excerpt && hit.excerpt !== hit.title && (
                    <p className="card__body" dir="auto">
                      {hit.excerpt}
                    </p>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </>
  );
}
