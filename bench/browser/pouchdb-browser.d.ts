/** pouchdb-browser ships no types: it is the PouchDB of @types/pouchdb, built for browsers. */
declare module 'pouchdb-browser' {
  const PouchDB: PouchDB.Static;
  export default PouchDB;
}
