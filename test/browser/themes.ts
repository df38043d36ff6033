// The theme variables VS Code sets on a webview for its default Dark Modern-like, Light and High
// Contrast themes (a subset: the variables the MDL panel reads), applied the way VS Code applies
// them: a body class and custom properties on the document element.

export type ThemeName = 'dark' | 'light' | 'high-contrast';

const COMMON = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '14px',
};

export const THEMES: Record<ThemeName, { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...COMMON,
      'editor-background': '#1e1e1e', foreground: '#cccccc', descriptionForeground: '#ccccccb3', focusBorder: '#007fd4',
      'panel-border': '#80808059', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
      'list-inactiveSelectionBackground': '#37373d', 'list-hoverBackground': '#2a2d2e', 'badge-background': '#4d4d4d', 'badge-foreground': '#ffffff',
      errorForeground: '#f48771', 'editorWarning-foreground': '#cca700', 'charts-foreground': '#cccccc', 'charts-red': '#f14c4c',
      'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
      'terminal-ansiCyan': '#11a8cd', 'terminal-ansiMagenta': '#bc3fbc', 'terminal-ansiBrightYellow': '#f5f543', disabledForeground: '#cccccc80',
      'textLink-foreground': '#3794ff', 'editorWidget-background': '#252526', 'editorWidget-border': '#454545',
      'editorHoverWidget-background': '#252526', 'editorHoverWidget-border': '#454545', 'diffEditor-insertedTextBackground': '#9ccc2c33',
      'editorGutter-modifiedBackground': '#1b81a8', 'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
      'dropdown-background': '#3c3c3c', 'dropdown-foreground': '#f0f0f0', 'dropdown-border': '#3c3c3c', 'panelTitle-activeBorder': '#e7e7e7',
      'panelTitle-activeForeground': '#e7e7e7', 'panelTitle-inactiveForeground': '#e7e7e799', 'debugTokenExpression-name': '#c586c0',
      'debugTokenExpression-number': '#b5cea8', 'button-secondaryBackground': '#3a3d41', 'button-secondaryForeground': '#ffffff',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...COMMON,
      'editor-background': '#ffffff', foreground: '#616161', descriptionForeground: '#717171', focusBorder: '#0090f1',
      'panel-border': '#80808059', 'list-activeSelectionBackground': '#0060c0', 'list-activeSelectionForeground': '#ffffff',
      'list-inactiveSelectionBackground': '#e4e6f1', 'list-hoverBackground': '#e8e8e8', 'badge-background': '#c4c4c4', 'badge-foreground': '#333333',
      errorForeground: '#a1260d', 'editorWarning-foreground': '#bf8803', 'charts-foreground': '#616161', 'charts-red': '#e51400',
      'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
      'terminal-ansiCyan': '#0598bc', 'terminal-ansiMagenta': '#bc05bc', 'terminal-ansiBrightYellow': '#b5ba00', disabledForeground: '#61616180',
      'textLink-foreground': '#006ab1', 'editorWidget-background': '#f3f3f3', 'editorWidget-border': '#c8c8c8',
      'editorHoverWidget-background': '#f3f3f3', 'editorHoverWidget-border': '#c8c8c8', 'diffEditor-insertedTextBackground': '#9ccc2c40',
      'editorGutter-modifiedBackground': '#2090d3', 'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
      'dropdown-background': '#ffffff', 'dropdown-foreground': '#616161', 'dropdown-border': '#cecece', 'panelTitle-activeBorder': '#424242',
      'panelTitle-activeForeground': '#424242', 'panelTitle-inactiveForeground': '#424242bf', 'debugTokenExpression-name': '#9b46b0',
      'debugTokenExpression-number': '#098658', 'button-secondaryBackground': '#5f6a79', 'button-secondaryForeground': '#ffffff',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      ...COMMON,
      'editor-background': '#000000', foreground: '#ffffff', descriptionForeground: '#ffffffb3', focusBorder: '#f38518',
      contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', 'panel-border': '#6fc3df',
      'badge-background': '#000000', 'badge-foreground': '#ffffff', errorForeground: '#f48771', 'editorWarning-foreground': '#ffd370',
      'charts-foreground': '#ffffff', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616',
      'charts-green': '#89d185', 'charts-purple': '#b180d7', 'terminal-ansiCyan': '#00cdcd', 'terminal-ansiMagenta': '#cd00cd',
      'terminal-ansiBrightYellow': '#ffff00', disabledForeground: '#a5a5a5', 'textLink-foreground': '#21a6ff',
      'editorWidget-background': '#0c141f', 'editorWidget-border': '#6fc3df', 'editorHoverWidget-background': '#0c141f',
      'editorHoverWidget-border': '#6fc3df', 'editorGutter-modifiedBackground': '#1b81a8', 'inputValidation-errorBackground': '#000000',
      'inputValidation-errorBorder': '#be1100', 'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df',
      'panelTitle-activeBorder': '#f38518', 'panelTitle-activeForeground': '#ffffff', 'panelTitle-inactiveForeground': '#ffffff',
      'debugTokenExpression-name': '#ffffff', 'debugTokenExpression-number': '#89d185', 'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff', 'button-border': '#6fc3df',
    },
  },
};
