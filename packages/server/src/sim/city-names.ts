/** A named place in English and Chinese. */
export interface PlaceName {
  slug: string;
  en: string;
  zh: string;
}

/** A district of the simulated city: its cell in the 3 × 2 grid (row 0 is north) and its communities. */
export interface DistrictPlan extends PlaceName {
  column: number;
  row: number;
  communities: PlaceName[];
}

/** A road: north–south roads cross at `at` (0..1 west→east), east–west ones at `at` (0..1 south→north). */
export interface RoadPlan extends PlaceName {
  direction: 'north-south' | 'east-west';
  at: number;
  roadClass: 'primary' | 'secondary' | 'trunk';
}

const community = (slug: string, en: string, zh: string): PlaceName => ({
  slug,
  en: `${en} Community`,
  zh: `${zh}社区`,
});

/** Hangzhou's districts, laid out roughly as on a map: the first one is the default for episodes. */
export const DISTRICTS: readonly DistrictPlan[] = [
  {
    slug: 'shangcheng',
    en: 'Shangcheng',
    zh: '上城区',
    column: 2,
    row: 0,
    communities: [
      community('hubin', 'Hubin', '湖滨'),
      community('qingbo', 'Qingbo', '清波'),
      community('xiaoying', 'Xiaoying', '小营'),
      community('ziyang', 'Ziyang', '紫阳'),
    ],
  },
  {
    slug: 'gongshu',
    en: 'Gongshu',
    zh: '拱墅区',
    column: 1,
    row: 0,
    communities: [
      community('mishixiang', 'Mishixiang', '米市巷'),
      community('hushu', 'Hushu', '湖墅'),
      community('daguan', 'Daguan', '大关'),
      community('xiaohe', 'Xiaohe', '小河'),
    ],
  },
  {
    slug: 'xihu',
    en: 'Xihu',
    zh: '西湖区',
    column: 0,
    row: 1,
    communities: [
      community('beishan', 'Beishan', '北山'),
      community('lingyin', 'Lingyin', '灵隐'),
      community('cuiyuan', 'Cuiyuan', '翠苑'),
      community('wenxin', 'Wenxin', '文新'),
    ],
  },
  {
    slug: 'binjiang',
    en: 'Binjiang',
    zh: '滨江区',
    column: 1,
    row: 1,
    communities: [
      community('xixing', 'Xixing', '西兴'),
      community('changhe', 'Changhe', '长河'),
      community('puyan', 'Puyan', '浦沿'),
      community('baimahu', 'Baimahu', '白马湖'),
    ],
  },
  {
    slug: 'xiaoshan',
    en: 'Xiaoshan',
    zh: '萧山区',
    column: 2,
    row: 1,
    communities: [
      community('chengxiang', 'Chengxiang', '城厢'),
      community('beigan', 'Beigan', '北干'),
      community('shushan', 'Shushan', '蜀山'),
      community('xintang', 'Xintang', '新塘'),
    ],
  },
  {
    slug: 'yuhang',
    en: 'Yuhang',
    zh: '余杭区',
    column: 0,
    row: 0,
    communities: [
      community('liangzhu', 'Liangzhu', '良渚'),
      community('wuchang', 'Wuchang', '五常'),
      community('cangqian', 'Cangqian', '仓前'),
      community('xianlin', 'Xianlin', '闲林'),
    ],
  },
];

const road = (
  slug: string,
  en: string,
  zh: string,
  direction: RoadPlan['direction'],
  at: number,
  roadClass: RoadPlan['roadClass'] = 'primary',
): RoadPlan => ({ slug, en, zh, direction, at, roadClass });

/** The arterial road grid. */
export const ROADS: readonly RoadPlan[] = [
  road('moganshan-road', 'Moganshan Road', '莫干山路', 'north-south', 0.14, 'trunk'),
  road('yanan-road', "Yan'an Road", '延安路', 'north-south', 0.33),
  road('zhonghe-road', 'Zhonghe Road', '中河路', 'north-south', 0.5, 'trunk'),
  road('jianguo-road', 'Jianguo Road', '建国路', 'north-south', 0.66),
  road('shixin-road', 'Shixin Road', '市心路', 'north-south', 0.85),
  road('tianmushan-road', 'Tianmushan Road', '天目山路', 'east-west', 0.88, 'trunk'),
  road('wensan-road', 'Wensan Road', '文三路', 'east-west', 0.76, 'secondary'),
  road('fengqi-road', 'Fengqi Road', '凤起路', 'east-west', 0.64),
  road('jiefang-road', 'Jiefang Road', '解放路', 'east-west', 0.54),
  road('jiangnan-avenue', 'Jiangnan Avenue', '江南大道', 'east-west', 0.36, 'trunk'),
  road('binsheng-road', 'Binsheng Road', '滨盛路', 'east-west', 0.22, 'secondary'),
  road('jincheng-road', 'Jincheng Road', '金城路', 'east-west', 0.1),
];
