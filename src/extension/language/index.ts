// Editing support for scenario files (see languageFeatures.ts).
export { registerLanguageFeatures } from './languageFeatures';
