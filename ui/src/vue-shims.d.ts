// For tools that read .ts without Vue's language service (ESLint's TypeScript program);
// vue-tsc and Vite read the components themselves.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
