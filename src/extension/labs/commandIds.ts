// Command identifiers of the lab commands (contributed in package.json by the extension).
export const OPEN_LAB = 'mdlLab.openLab';
export const BREAK_AT = 'mdlLab.breakAt';
export const SHOW_LAB_GUIDE = 'mdlLab.showLabGuide';
/** Commands a lab guide page may run from its links. */
export const GUIDE_COMMANDS = [BREAK_AT, OPEN_LAB, SHOW_LAB_GUIDE, 'mdlLab.showMdlView', 'workbench.action.debug.start'] as const;
