// Command identifiers contributed in package.json, in one place for code and tests.
export const SHOW_MDL_VIEW = 'mdlLab.showMdlView';
export const SHOW_MDL_OF_VARIABLE = 'mdlLab.showMdlOfVariable';
export const DEBUG_SCENARIO = 'mdlLab.debugScenario';
export const RUN_SCENARIO = 'mdlLab.runScenario';
export const NEW_MDL_VIEW = 'mdlLab.newMdlView';
