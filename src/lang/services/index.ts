// Language services for editors: diagnostics, hover, completion, signature help, definitions.
export { LanguageService, type CompletionEntry, type SignatureInfo, type CodeLensInfo } from './languageService';
export { routineDocs, routineDoc, mdlFlag } from './catalog';
export { type Position } from './text';
