/**
 * A route's serializer that only stringifies: for hot list routes whose bodies are built by
 * presenters and typed by the route's response schema, which still documents them in OpenAPI.
 * Checking each body again with zod cost about a fifth of the case list's serialisation and was
 * the student search's largest Node cost after the socket (issues 2 and 5's benches). The routes'
 * tests hold their bodies strictly to the schemas instead.
 */
export const stringifyOnly = () => (data: unknown) => JSON.stringify(data);
