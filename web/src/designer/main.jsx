// The designer bundle's entry: hands its panel to the page that loaded it.
import { Designer } from './panel.jsx';

window.sdDesigner = { Designer };
