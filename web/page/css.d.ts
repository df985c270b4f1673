// CSS imported for esbuild to bundle (page.css next to page.js).
declare module '*.css';
