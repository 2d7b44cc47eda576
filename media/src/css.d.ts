// esbuild bundles imported CSS into dist/media/panels.css.
declare module '*.css';
